// Recall@K, NDCG@K and AUC on small hand-computed cases.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { auc, ndcgAtK, recallAtK, requestRecall } from '../../src/search/evaluate/metrics.js';

function lists(requests: { teacher: number[]; scores: number[] }[]) {
  const offsets = new Int32Array(requests.length + 1);
  requests.forEach((r, i) => (offsets[i + 1] = offsets[i] + r.teacher.length));
  return { offsets, teacher: requests.flatMap((r) => r.teacher), scores: requests.flatMap((r) => r.scores) };
}

const close = (actual: number, expected: number) => assert.ok(Math.abs(actual - expected) < 1e-9, `${actual} != ${expected}`);

test('recall@K counts the teacher top set kept in the model top K, averaged over requests', () => {
  const data = lists([
    { teacher: [5, 4, 3, 2, 1], scores: [1, 5, 4, 3, 2] }, // teacher top2 {0,1}, model top2 {1,2} -> 1/2
    { teacher: [0.1, 0.9, 0.5], scores: [0.9, 0.8, 0.1] }, // teacher top2 {1,2}, model top2 {0,1} -> 1/2
    { teacher: [1, 2], scores: [2, 1] }, // no more than K candidates -> 1
  ]);
  close(requestRecall(data, 0, 2, 2), 0.5);
  close(recallAtK(data, 2, 2), 2 / 3);
  close(recallAtK(data, 4, 1), (0 + 1 + 1) / 3); // request 0: the teacher favourite is the model last
});

test('recall@K: a perfect model scores 1 and a reversed one 0', () => {
  const teacher = [6, 5, 4, 3, 2, 1];
  close(recallAtK(lists([{ teacher, scores: teacher }]), 2, 2), 1);
  close(recallAtK(lists([{ teacher, scores: teacher.map((x) => -x) }]), 2, 2), 0);
});

test('recall@K breaks model ties by position, deterministically', () => {
  close(recallAtK(lists([{ teacher: [1, 2, 3], scores: [0, 0, 0] }]), 1, 1), 0); // keeps row 0, teacher wants row 2
  close(recallAtK(lists([{ teacher: [3, 2, 1], scores: [0, 0, 0] }]), 1, 1), 1);
});

test('NDCG@K uses teacher scores as gains', () => {
  const data = lists([{ teacher: [3, 2, 1], scores: [0, 1, 2] }]);
  const dcg = 1 + 2 / Math.log2(3) + 3 / 2;
  const ideal = 3 + 2 / Math.log2(3) + 1 / 2;
  close(ndcgAtK(data, 3), dcg / ideal);
  close(ndcgAtK(data, 1), 1 / 3);
  close(ndcgAtK(lists([{ teacher: [3, 2, 1], scores: [3, 2, 1] }]), 2), 1);
});

test('NDCG@K shifts negative teacher scores so the lowest gain is 0', () => {
  close(ndcgAtK(lists([{ teacher: [-1, 1], scores: [1, 0] }]), 2), 2 / Math.log2(3) / 2);
});

test('AUC matches the pairwise definition, ties count half', () => {
  close(auc([0.1, 0.4, 0.35, 0.8], [0, 0, 1, 1]), 0.75);
  close(auc([0.5, 0.5], [1, 0]), 0.5);
  close(auc([0.2, 0.5, 0.5, 0.9], [0, 1, 0, 1]), 3.5 / 4);
  close(auc([0.2, 0.5, 0.9, 0.1], [0, 1, Number.NaN, 0]), 1);
  assert.ok(Number.isNaN(auc([0.2, 0.5], [1, 1])));
  assert.ok(Number.isNaN(auc([0.2, 0.5], [Number.NaN, Number.NaN])));
});
