// The pages' cookies: HttpOnly, SameSite=Lax (a link from elsewhere arrives signed in; a form
// posted from elsewhere does not carry them), Secure when the public address is https, and
// scoped to /web. Each is signed, so a browser can hold them but not change them.
import type { Context } from 'hono'
import { deleteCookie, getCookie, setCookie } from 'hono/cookie'
import { sign, unsign } from './session.ts'
import type { WebSetup } from './web-setup.ts'

export function putCookie(
  c: Context,
  setup: WebSetup,
  name: string,
  value: object,
  maxAgeS: number,
) {
  setCookie(c, name, sign(setup.cookieKey, value), {
    path: '/web',
    httpOnly: true,
    sameSite: 'Lax',
    secure: setup.publicUrl?.protocol === 'https:',
    maxAge: Math.max(1, Math.floor(maxAgeS)),
  })
}

export const takeCookie = (c: Context, setup: WebSetup, name: string): unknown =>
  unsign(setup.cookieKey, getCookie(c, name))

export const dropCookie = (c: Context, setup: WebSetup, name: string) =>
  deleteCookie(c, name, { path: '/web', secure: setup.publicUrl?.protocol === 'https:' })

/** A message for the next page (after a POST redirects), shown once. */
export const flash = (c: Context, setup: WebSetup, lines: string[]) =>
  putCookie(c, setup, 'ebmbot_flash', { lines: lines.slice(0, 5) }, 60)

export function takeFlash(c: Context, setup: WebSetup): string[] {
  const f = takeCookie(c, setup, 'ebmbot_flash') as { lines?: unknown } | undefined
  if (!f) return []
  dropCookie(c, setup, 'ebmbot_flash')
  return Array.isArray(f.lines) ? f.lines.filter((l): l is string => typeof l === 'string') : []
}
