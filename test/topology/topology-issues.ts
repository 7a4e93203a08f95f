import { ErrorCodes, isDriftwatchError } from '../../src/errors.ts';
import { parseTopology } from '../../src/topology/load-topology.ts';
import type { TopologyIssue } from '../../src/topology/topology-types.ts';

/** The issues of an invalid topology text, as `line:column path: message`; throws if the text parses. */
export function topologyIssues(text: string, file: string): string[] {
  try {
    parseTopology(text, file);
  } catch (error) {
    if (!isDriftwatchError(error, ErrorCodes.TOPOLOGY_INVALID)) throw error;
    return (error.details.issues as TopologyIssue[]).map(
      (i) => `${i.line}:${i.column} ${i.path}: ${i.message}`,
    );
  }
  throw new Error('expected a TOPOLOGY_INVALID error');
}
