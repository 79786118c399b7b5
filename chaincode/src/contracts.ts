/**
 * The contracts the chaincode serves. The first is the default contract.
 */
import { ProbeContract } from './probe/probe-contract';
import { TraceabilityContract } from './traceability';

export const contracts = [TraceabilityContract, ProbeContract];
