using AclOperator.Acl;
using AclOperator.Server.AclRuntime;
using Microsoft.Extensions.Logging.Abstractions;
using Xunit;

namespace AclOperator.Server.Tests.LocalMode;

/// <summary>The sample CRs that <c>bash .ci/serve</c> serves define exactly the users of <c>config/samples/users.acl</c>.</summary>
public sealed class SampleManifestsTests
{
    private static string RepositoryRoot([System.Runtime.CompilerServices.CallerFilePath] string source = "")
    {
        for (var dir = new DirectoryInfo(Path.GetDirectoryName(source) ?? AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "AclOperator.sln")))
            {
                return dir.FullName;
            }
        }

        throw new DirectoryNotFoundException("AclOperator.sln not found above " + source);
    }

    [Fact]
    public async Task Sample_crs_compile_to_the_users_of_users_acl()
    {
        var root = RepositoryRoot();
        await using var manifests = new ManifestsAclSource("config/samples", root, NullLogger.Instance);
        var fromCrs = await manifests.LoadAsync(AclOptions.Default, TestContext.Current.CancellationToken);
        var fromAclFile = await new AclFileSource("config/samples/users.acl", root, NullLogger.Instance).LoadAsync(AclOptions.Default, TestContext.Current.CancellationToken);

        Assert.Null(fromCrs.Error);
        Assert.Null(fromAclFile.Error);
        Assert.Equal(fromAclFile.Table!.ListLines(), fromCrs.Table!.ListLines());
        Assert.Equal(["alice", "default", "reporting"], fromCrs.Table.Users.Select(u => u.Name));
    }
}
