// e2e tests install packages and run the real nx CLI several times per test.
jest.setTimeout(10 * 60 * 1000);
