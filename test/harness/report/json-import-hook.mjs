// A module hook for @actions/workflow-parser, which imports its schema (a .json file) without the
// `with { type: "json" }` attribute Node's own loader requires (it is written for bundlers): such
// imports get the attribute, and everything else loads unchanged.
export async function load(url, context, nextLoad) {
  if (url.endsWith(".json") && context.importAttributes?.type === undefined)
    return nextLoad(url, { ...context, importAttributes: { ...context.importAttributes, type: "json" } });
  return nextLoad(url, context);
}
