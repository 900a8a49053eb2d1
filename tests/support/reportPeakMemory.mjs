// Loaded with --import in a test's child process: prints its peak resident memory as the last line of stderr.
process.on('exit', () => {
  process.stderr.write(`\npeak-rss-mb ${Math.round(process.resourceUsage().maxRSS / 1024)}\n`);
});
