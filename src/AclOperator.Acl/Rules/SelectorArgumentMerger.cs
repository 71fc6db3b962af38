namespace AclOperator.Acl.Rules;

/// <summary>
/// <c>ACLMergeSelectorArguments</c>: a selector may be spread over several arguments (<c>"(~a" "+get)"</c>); this
/// joins them with single spaces into one <c>(...)</c> token.
/// </summary>
internal static class SelectorArgumentMerger
{
    /// <summary>
    /// Returns the merged tokens, or null when a selector is left open; then <paramref name="openIndex"/> is the index
    /// of the argument that opened it.
    /// </summary>
    public static List<byte[]>? Merge(IReadOnlyList<byte[]> args, out int openIndex)
    {
        var merged = new List<byte[]>(args.Count);
        openIndex = -1;
        List<byte>? current = null;
        for (int j = 0; j < args.Count; j++)
        {
            var op = args[j];
            if (openIndex == -1 && op.Length > 0 && op[0] == (byte)'(' && op[^1] != (byte)')')
            {
                current = [.. op];
                openIndex = j;
                continue;
            }

            if (openIndex != -1)
            {
                current!.Add((byte)' ');
                current.AddRange(op);
                if (op.Length > 0 && op[^1] == (byte)')')
                {
                    openIndex = -1;
                    merged.Add([.. current]);
                    current = null;
                }

                continue;
            }

            merged.Add(op);
        }

        return openIndex == -1 ? merged : null;
    }
}
