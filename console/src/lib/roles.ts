/**
 * What the console shows to whom: the domain library's access-policy table,
 * the same rows the gateway and the query API enforce on every request.
 */
import { CONSOLE_VIEWS, mayPerform, type ConsoleView, type Role } from '../../../lib/domain/src';

/** A view of the console. */
export type View = ConsoleView;

export const canSee = (roles: string[], v: View) => mayPerform(roles, CONSOLE_VIEWS[v]);
/** Declaring a recall is a ledger write the recall view offers to these roles. */
export const canDeclareRecall = (roles: string[]) => mayPerform(roles, 'console.declare-recall');
/** Proof material is served to these roles. */
export const canProve = (roles: string[]) => mayPerform(roles, 'provenance.proof');
/** The dev sign-in's role list, most common first. */
export const ALL_ROLES: readonly Role[] = ['auditor', 'retailer-ops', 'supplier', 'inventory-reader', 'finance', 'admin', 'pos', 'sap'];
