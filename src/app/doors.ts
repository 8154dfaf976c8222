// The doors this bot has and what each can do (see door.ts). A new door adds itself here or in
// the wiring that starts it; nothing else in the bot names a door.
import type { DoorName, DoorTraits } from './door.ts'

export type Doors = Map<DoorName, DoorTraits>

/**
 * The built-in doors: Slack edits and threads; GitHub deliveries and config schedules report
 * through Slack (local chat points schedules at the terminal instead).
 */
export const builtInDoors = (): Doors =>
  new Map<DoorName, DoorTraits>([
    ['slack', { edits: true, threads: true }],
    ['local', { trusted: true }],
    ['github', { replyVia: 'slack' }],
    ['schedule', { replyVia: 'slack' }],
  ])

/** The door that answers about a request that came in through `door`. */
export function replyDoorOf(doors: Doors, door: DoorName): DoorName {
  const via = doors.get(door)?.replyVia
  return via && via !== door ? via : door
}

/** What the door that answers about a request can do. */
export const replyTraitsOf = (doors: Doors, door: DoorName): DoorTraits =>
  doors.get(replyDoorOf(doors, door)) ?? {}
