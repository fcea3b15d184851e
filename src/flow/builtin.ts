/** Workflows TaskFlow itself ships, bundled beside the user's flows. */
export {};
