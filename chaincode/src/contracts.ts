/**
 * The contracts a consortium deploys. The first is the default contract.
 */
import { ConsortiumContract } from './consortium/consortium-contract';
import { TraceabilityContract } from './traceability';

export const contracts = [TraceabilityContract, ConsortiumContract];
