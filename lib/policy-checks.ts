import { NestedStack, Validations, type App, type IPolicyValidationContextBeta1, type IPolicyValidationPluginBeta1 } from 'aws-cdk-lib';
import { CfnGuardValidator } from '@cdklabs/cdk-validator-cfnguard';
import { AwsSolutionsChecks, ServerlessChecks } from 'cdk-nag';
import type { IConstruct } from 'constructs';
import { dirname, join } from 'node:path';

/**
 * The cdk-nag AwsSolutions and Serverless packs and AWS Control Tower's proactive controls (the
 * cfn-guard rules `@cdklabs/cdk-validator-cfnguard` ships, run by the cfn-guard binary inside
 * that package, offline) run on every synthesis, on every template: the stacks' and their nested
 * stacks' (lib/rooms.ts). A finding that is not acknowledged (with its reason, next to the
 * construct) fails the synthesis.
 */
export function addPolicyChecks(app: App): void {
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app), new ServerlessChecks(app), new NestedTemplatesGuard(new CfnGuardValidator()));
}

/**
 * CDK hands a validation plugin the templates of the assembly's stacks only; a nested stack's
 * template is an asset of its parent, which cfn-guard would never read. This runs `guard` on both.
 * (cdk-nag walks the construct tree, nested stacks included, so it needs no such help.)
 */
export class NestedTemplatesGuard implements IPolicyValidationPluginBeta1 {
  readonly name: string;
  readonly version?: string;
  readonly ruleIds?: string[];

  constructor(private readonly guard: CfnGuardValidator) {
    this.name = guard.name;
    this.version = guard.version;
    this.ruleIds = guard.ruleIds;
  }

  validate(context: IPolicyValidationContextBeta1) {
    const app = (context as IPolicyValidationContextBeta1 & { appConstruct?: IConstruct }).appConstruct;
    if (!app) throw new Error('The nested templates cannot be found: this CDK version gives validation plugins no construct tree');
    return this.guard.validate({
      ...context,
      templatePaths: [...context.templatePaths, ...nestedTemplatePaths(app, context.templatePaths)],
    });
  }
}

/** Where the synthesis wrote each nested stack's template: beside its stacks' templates, under the nested stack's own file name. */
export function nestedTemplatePaths(app: IConstruct, templatePaths: readonly string[]): string[] {
  if (!templatePaths.length) return [];
  const outdir = dirname(templatePaths[0]!);
  return app.node
    .findAll()
    .filter((node): node is NestedStack => NestedStack.isNestedStack(node))
    .map((nested) => join(outdir, nested.templateFile));
}
