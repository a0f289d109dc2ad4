// Usage and budgets: the ledger (a fold of the log), its queries, and the budgets checked against it.
export { UsageLedger, type TurnUsage } from './usage-ledger.js';
export { Budgets, breachMessage, budgetLabel, type BudgetBreach } from './budgets.js';
export { usageQuerySchema, usageReport, sessionUsage, type UsageQuery, type UsageReport, type UsageFigures } from './usage-query.js';
