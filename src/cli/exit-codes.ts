/** Exit code of a run stopped by SIGINT or SIGTERM after saving what it had (128 + SIGINT, as shells expect). */
export const EXIT_INTERRUPTED = 130;
