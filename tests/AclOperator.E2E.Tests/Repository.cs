namespace AclOperator.E2E.Tests;

/// <summary>Paths in the repository the tests run from (found by walking up to AclOperator.sln).</summary>
internal static class Repository
{
    public static string Root { get; } = FindRoot();

    public static string PathOf(string relative) => Path.Combine(Root, relative);

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "AclOperator.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("AclOperator.sln not found above " + AppContext.BaseDirectory);
    }
}
