/** What running one order produced, before the agent's identity is added to make an OrderResult. */
import type { OrderResult } from '../../shared/api.js';

export type OrderOutcome = Pick<OrderResult, 'outcome' | 'message' | 'checks' | 'cleanup'>;
