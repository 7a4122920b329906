import { CIFAR10_PAGE_HELP } from '../cifar10/read-cifar10.ts';
import type { Note } from './notes.ts';
import type { PageState } from './url-state.ts';

/** The Data group's picker, as the messages name it. */
export const CIFAR10_PICKER = 'CIFAR-10 files';

/**
 * A cifar10 run trains on the user's own files, which a link cannot carry and the page does not keep across
 * loads. Until they are picked nothing is built for it: the controls keep showing cifar10 and its picker, the
 * note says which files and where to get them, and whatever runs keeps running. Null when nothing waits.
 */
export function cifar10Wait(state: PageState, held: boolean): Note | null {
  if (held || ![state.config, state.compare].some((c) => c?.data.name === 'cifar10')) return null;
  const text = `data.name=cifar10 trains on your own copy of CIFAR-10, and this page holds none yet. ${CIFAR10_PAGE_HELP} Pick them under "${CIFAR10_PICKER}"; until then nothing new is built.`;
  return { field: 'data.path', text };
}
