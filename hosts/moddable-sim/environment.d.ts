/** The value of the simulator process's environment variable `name`, or undefined when it is unset (environment.c). */
export function environmentVariable(name: string): string | undefined;
