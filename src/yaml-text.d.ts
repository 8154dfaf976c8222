// YAML files imported `with { type: 'text' }` arrive as their text (the example config).
declare module '*.yaml' {
  const text: string
  export default text
}
