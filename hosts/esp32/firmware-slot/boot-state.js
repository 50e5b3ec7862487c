/* Host functions of boot-state.c (XS syntax: only the Moddable build loads this file). */
export function bootTrial() @ "xs_picket_boot_trial";
export function bootConfirm() @ "xs_picket_boot_confirm";
export function bootRestart() @ "xs_picket_boot_restart";
