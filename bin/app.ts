import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { selectStage } from '../lib/config.ts';
import { addScreeningStacks } from '../lib/screening-stacks.ts';
import { STAGES } from '../lib/stages.ts';

// `npx cdk synth|deploy -c stage=prod`; without -c stage, the dev stage.
const app = new App();
addScreeningStacks(app, selectStage(STAGES, app.node.tryGetContext('stage')));
// Every synth is checked against the AWS Solutions rules; an unacknowledged finding fails it. The
// acknowledgements and their reasons are also written into the templates' metadata, for auditors.
Validations.of(app).addPlugins(new AwsSolutionsChecks(app, { writeSuppressionsToCloudFormation: true }));
app.synth();
