/**
 * A transaction planned before a config block (an organisation joined, so the
 * MAJORITY policy now needs one more endorsement) and validated after it
 * commits as ENDORSEMENT_POLICY_FAILURE through no fault of the caller. The
 * invalid transaction had no effect, so it is planned once more after the
 * plan is refreshed. A caller that named its endorsing organisations gets the
 * failure: a new plan would not change their choice.
 */
import { ServiceError } from '../../platform/src';

export async function submitReplanningOnce<T>(attempt: () => Promise<T>, opts: { refreshPlan?: () => Promise<void>; fixedEndorsers: boolean }): Promise<T> {
  try {
    return await attempt();
  } catch (err) {
    if (!(err instanceof ServiceError && err.code === 'ENDORSEMENT_POLICY_FAILURE')) throw err;
    await opts.refreshPlan?.();
    if (opts.fixedEndorsers) throw err;
    return attempt();
  }
}
