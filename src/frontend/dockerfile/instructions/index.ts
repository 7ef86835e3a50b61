// Typed Dockerfile instructions: the public surface of this layer.

export * from './types.js';
export { parseInstruction, INSTRUCTION_NAMES, type ParseContext } from './parse.js';
export { parseInstructions, type ParsedDockerfile } from './stages.js';
export { expandInstruction, expandSourceContents, type SingleWordExpander } from './expand.js';
export { parseMount, checkMountSpec, isStaticMountSpec, ramInBytes } from './mounts.js';
export { parsePortSpec, parsePortSpecs, parsePortRange, type PortKey } from './ports.js';
export { parseGoDuration, MINIMUM_DURATION_NS } from './duration.js';
export { BFlags, Flag } from './bflags.js';
export { InstructionSyntaxError, toDockerfileError } from './syntax-error.js';
export { suggest, levenshtein } from './suggest.js';
export { parseHeredocWord, chompHeredocContent } from './heredoc-word.js';
