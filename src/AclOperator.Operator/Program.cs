using AclOperator.Operator.Hosting;
using AclOperator.Operator.Reconcilers;
using AclOperator.Operator.Runtime;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;

if (OperatorHost.WantsHelp(args))
{
    Console.WriteLine(OperatorHost.Usage);
    return 0;
}

WebApplication app;
try
{
    var (builder, op) = OperatorHost.CreateBuilder(args);
    op.AddAclOperatorControllers(builder.Configuration);
    app = builder.Build();
}
catch (Exception ex) when (ex is FormatException or InvalidOperationException)
{
    Console.Error.WriteLine("aclop-operator: " + ex.Message);
    Console.Error.WriteLine("Run aclop-operator --help for the options.");
    return 2;
}
app.MapOperatorEndpoints();
await app.RunAsync().ConfigureAwait(false);
return app.Services.GetRequiredService<LeaderElectionService>().LostLease ? 1 : 0;
