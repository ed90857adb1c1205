using System.CommandLine;
using OpsCtl;

return await Cli.RunAsync(args).ConfigureAwait(false);
