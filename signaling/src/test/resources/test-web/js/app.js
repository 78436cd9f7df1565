export const app = "test";
