/**
 * A stack's templates as CloudFormation deploys them: the stack's own and each nested stack's
 * (lib/rooms.ts). `flatten` reads them as one template, each nested template's parameters
 * replaced by the values its parent passes, and each of the parent's reads of a nested output
 * by that output's value: what CloudFormation resolves at deployment. So a test can say "the
 * function may read the table" with the table's own logical id, whichever stack the function is in.
 */
import { NestedStack, type Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';

export type Resource = { Type: string; Properties: Record<string, any>; Metadata?: Record<string, any>; [key: string]: any };
export interface TemplateJson {
  Resources: Record<string, Resource>;
  Outputs?: Record<string, { Value: unknown }>;
  Parameters?: Record<string, unknown>;
  [key: string]: unknown;
}

/** The nested stacks whose parent is `stack`. */
const childrenOf = (stack: Stack) =>
  stack.node.findAll().filter((node): node is NestedStack => NestedStack.isNestedStack(node) && node.nestedStackParent === stack);

/** Every template of `stack`, its own first, by the file CDK writes it to. */
export function templatesOf(stack: Stack): Map<string, TemplateJson> {
  const templates = new Map<string, TemplateJson>([[stack.templateFile, Template.fromStack(stack).toJSON() as TemplateJson]]);
  for (const nested of childrenOf(stack)) for (const [file, template] of templatesOf(nested)) templates.set(file, template);
  return templates;
}

/** `stack`'s resources and its nested stacks', as one template (the nested stacks' own resources left out). */
export function flatten(stack: Stack): TemplateJson {
  const own = Template.fromStack(stack).toJSON() as TemplateJson;
  let resources: Record<string, Resource> = { ...own.Resources };
  let outputs = { ...own.Outputs };
  for (const nested of childrenOf(stack)) {
    const resourceId = stack.resolve(nested.nestedStackResource!.logicalId) as string;
    const parameters = (resources[resourceId]!.Properties?.Parameters ?? {}) as Record<string, unknown>;
    const inner = flatten(nested);
    const passed = (value: unknown) => replace(value, (node) => (isRef(node) && node.Ref in parameters ? parameters[node.Ref] : undefined));
    const innerResources = passed(inner.Resources) as Record<string, Resource>;
    const innerOutputs = passed(inner.Outputs ?? {}) as Record<string, { Value: unknown }>;
    const read = (value: unknown) =>
      replace(value, (node) => {
        const getAtt = (node as { 'Fn::GetAtt'?: [string, string] })['Fn::GetAtt'];
        if (!getAtt || getAtt[0] !== resourceId || !getAtt[1].startsWith('Outputs.')) return undefined;
        return innerOutputs[getAtt[1].slice('Outputs.'.length)]!.Value;
      });
    delete resources[resourceId];
    resources = read(resources) as Record<string, Resource>;
    outputs = read(outputs) as typeof outputs;
    for (const [id, resource] of Object.entries(innerResources)) {
      if (id in resources) throw new Error(`Logical id ${id} is in two templates: the flattened view would lose one`);
      resources[id] = resource;
    }
  }
  return { ...own, Resources: resources, Outputs: outputs };
}

const isRef = (node: unknown): node is { Ref: string } =>
  typeof node === 'object' && node !== null && Object.keys(node).length === 1 && typeof (node as { Ref?: unknown }).Ref === 'string';

/** `value` with every node for which `swap` answers something replaced by that answer. */
function replace(value: unknown, swap: (node: unknown) => unknown): unknown {
  const swapped = swap(value);
  if (swapped !== undefined) return swapped;
  if (Array.isArray(value)) return value.map((item) => replace(item, swap));
  if (typeof value === 'object' && value !== null)
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, replace(item, swap)]));
  return value;
}
