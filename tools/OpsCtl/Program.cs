using System.CommandLine;
using OpsCtl;

return await Cli.Build().Parse(args).InvokeAsync().ConfigureAwait(false);
