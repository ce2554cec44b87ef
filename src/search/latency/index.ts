// Stage 3, latency: the cost side of the search. A profiled operator table and the feature specs' costs enter; the
// expected latency of a (super)network (Eq. 3-4), the lambda2 controller for a budget and the one model timer leave.
// Next: search/ uses the latency model as its penalty, derive/ as its constraint.
export * from './budget.js';
export * from './latency-model.js';
export * from './latency-table.js';
export * from './measure-models.js';
export * from './measure.js';
export * from './profile.js';
