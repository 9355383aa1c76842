'use strict';
const { createServer } = require('./server');

const port = Number(process.env.PORT ?? 3333);
createServer({ log: (line) => console.error(line) }).listen(port, () => {
  console.log(`Acme Billing API on http://localhost:${port}`);
});
