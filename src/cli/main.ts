import { runProgram } from './command-line.ts';
import { buildProgram } from './program.ts';

await runProgram(buildProgram());
