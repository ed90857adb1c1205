using System.Diagnostics;
using System.Globalization;
using OpsPipeline.Functions;

// coldstart-probe <event-file>: constructs DecideFunction the way the Lambda runtime does (its parameterless
// constructor builds PipelineRuntime from the environment), hands it one event, and prints one line:
// "handled <ms since process start> <ms constructing + handling> <output bytes> <ms constructing> <ms before Main> <decision>:<receiver/channel,...>
// <methods JIT-compiled> <ms spent JIT-compiling>" (the runtime's own JitInfo counters, whole process). The parent measures from Process.Start.
if (args.Length != 1)
{
    Console.Error.WriteLine("usage: coldstart-probe <event-file>");
    return 2;
}

var sinceStart = DateTime.Now - Process.GetCurrentProcess().StartTime;
var handlerClock = Stopwatch.StartNew();
var function = new DecideFunction();
var initMs = handlerClock.Elapsed.TotalMilliseconds;
await using var input = File.OpenRead(args[0]);
var output = await function.Handle(input);
handlerClock.Stop();
var result = System.Text.Json.JsonSerializer.Deserialize(output, FunctionsJsonContext.Default.DecideResult)!;
output.Position = 0;
var total = DateTime.Now - Process.GetCurrentProcess().StartTime;
Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"handled {total.TotalMilliseconds:0.0} {handlerClock.Elapsed.TotalMilliseconds:0.0} {output.Length} {initMs:0.0} {sinceStart.TotalMilliseconds:0.0} {result.Decision}:{string.Join(',', result.Deliveries.Select(d => d.Receiver + "/" + d.Channel))} {System.Runtime.JitInfo.GetCompiledMethodCount()} {System.Runtime.JitInfo.GetCompilationTime().TotalMilliseconds:0.0}"));
return 0;
