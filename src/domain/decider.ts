/**
 * An aggregate's rules as one value: the state before any event, how an event changes it, and
 * which events a command leads to (or a refusal, thrown as an OutreachError). Pure: time arrives
 * in the command. `Context` is what else a decision may look at (a meeting's contact).
 */
export type Decider<State, Command, Event, Context = void> = {
  initialState: () => State;
  evolve: (state: State, event: Event) => State;
  decide: (command: Command, state: State, context: Context) => Event[];
};
