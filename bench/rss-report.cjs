// Preloaded (`node --require`) into a command the benchmarks run as a user would: its RSS at start
// and its peak, printed to stderr as it exits, so the figure is that process's alone.
const start = process.memoryUsage.rss();
process.on('exit', () => {
  process.stderr.write(`rss-report ${JSON.stringify({ startRssMb: start / 2 ** 20, peakRssMb: process.resourceUsage().maxRSS / 1024 })}\n`);
});
