// The `params:` of a command: what each captured value must look like before anything is queued.
// `demo sleep abc` is refused with what fits, instead of running and failing.
import { z } from 'zod'

export const paramSpecSchema = z
  .strictObject({
    type: z
      .enum(['string', 'integer', 'number'])
      .default('string')
      .describe('integer: whole numbers (-3, 42); number: decimals too (0.5)'),
    min: z.number().optional().describe('the smallest number allowed (integer and number)'),
    max: z.number().optional().describe('the largest number allowed (integer and number)'),
    choices: z
      .array(z.string().min(1))
      .min(1)
      .optional()
      .describe(
        'the only values allowed (matched ignoring case; the listed spelling is passed on)',
      ),
    pattern: z
      .string()
      .refine((p) => {
        try {
          new RegExp(p)
          return true
        } catch {
          return false
        }
      }, 'not a valid regular expression')
      .optional()
      .describe('a regular expression the whole value must match, e.g. [a-z0-9-]+'),
    allow_dash: z
      .boolean()
      .default(false)
      .describe(
        'allow a text value starting with "-" (refused by default: a job could read it as an option)',
      ),
  })
  .refine((p) => p.min === undefined || p.max === undefined || p.min <= p.max, {
    message: 'min must not be above max',
  })
  .refine((p) => p.type !== 'string' || (p.min === undefined && p.max === undefined), {
    message: 'min and max need type integer or number',
  })
  .describe('what one captured value must be')

export const paramsSchema = z
  .record(z.string(), paramSpecSchema)
  .default({})
  .describe(
    'per captured [param]: type, min/max, choices or pattern; a value that does not fit is refused',
  )

export type ParamSpec = z.output<typeof paramSpecSchema>
