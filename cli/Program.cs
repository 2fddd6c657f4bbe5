using Gating.Cli;

return await GatingCommandLine.RunAsync(args, Console.Out, Console.Error, CancellationToken.None);
