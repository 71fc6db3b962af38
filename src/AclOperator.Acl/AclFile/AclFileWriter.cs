using System.Text;
using AclOperator.Acl.Rendering;
using AclOperator.Acl.Users;

namespace AclOperator.Acl.AclFile;

/// <summary>ACL SAVE's content: one <c>user &lt;name&gt; &lt;description&gt;\n</c> line per user, in Redis's order.</summary>
public static class AclFileWriter
{
    /// <summary>The file content as bytes (names and patterns are written byte for byte).</summary>
    public static byte[] Render(AclUserTable table)
    {
        ArgumentNullException.ThrowIfNull(table);
        var sb = new StringBuilder(table.Count * 96);
        foreach (var u in table.Users)
        {
            sb.Append(AclUserRenderer.AclListLine(u)).Append('\n');
        }

        return AclText.GetBytes(sb.ToString());
    }
}
