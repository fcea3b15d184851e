'use strict';

const path = require('node:path');

/** Where the compiled command line lives, and its one-file bundle (scripts/bundle-cli.js). */
const dist = path.join(__dirname, '..', 'dist', 'src', 'cli');

module.exports = {
  entry: path.join(dist, 'main.js'),
  bundle: path.join(dist, 'taskflow.bundle.js'),
  /** `--help` text of every command, written with the bundle. */
  helpCache: path.join(dist, 'help.json'),
};
