'use strict';

/** Every route of the API, in the order they are matched. */
module.exports = [require('./health'), ...require('./orders')];
