// Yielding to the event loop before long synchronous work (a run's folders, files and spawn): the
// promise chains already under way finish first, so an acknowledgement being sent for a stored
// event leaves before the work its storing woke, not after it.
export const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve))
