using AclOperator.Cli;

return await AclctlApp.RunAsync(args, AclctlConsole.System).ConfigureAwait(false);
