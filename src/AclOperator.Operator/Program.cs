using AclOperator.Operator.Hosting;
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
    var (builder, _) = OperatorHost.CreateBuilder(args);
    // The reconcilers (RedisAclServer, RedisAcl, RedisAclUser) are registered here by a later issue:
    // operatorBuilder.AddController<RedisAclUser, UserReconciler>(c => c.Owns<V1Secret>().WatchesSecretMetadata(...));
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
