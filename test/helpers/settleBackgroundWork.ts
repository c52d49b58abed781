/**
 * Runs before each test file's own afterAll hooks remove its temporary host trees: index updates
 * written just after an answer must land first, or they would write into a folder being deleted.
 */
import { allIndexWritesSettled } from '../../src/scan/loginIndex';

afterAll(async () => {
  await allIndexWritesSettled();
});
