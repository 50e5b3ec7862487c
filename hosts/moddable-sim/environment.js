/*
 * The process environment of the Moddable simulator: a host function in environment.c
 * (XS syntax; the types are in environment.d.ts).
 */
export function environmentVariable(name) @ "xs_picket_environment_variable";
