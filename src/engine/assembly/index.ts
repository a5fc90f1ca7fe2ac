// Engine assembly: builds and wires the infrastructure and services from the options, and
// runs the startup and shutdown sequences over them.
export { assembleEngine, startEngine, stopEngine, whenIdle, type EngineParts } from './assemble.js';
