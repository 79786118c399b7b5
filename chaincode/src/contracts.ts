/**
 * The contracts the chaincode serves. The first is the default contract.
 */
import { ProbeContract } from './probe/probe-contract';

export const contracts = [ProbeContract];
