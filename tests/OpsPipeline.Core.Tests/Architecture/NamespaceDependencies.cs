using System.Collections.Immutable;
using System.Reflection;
using System.Reflection.Emit;
using System.Reflection.Metadata;
using System.Reflection.Metadata.Ecma335;
using System.Reflection.PortableExecutable;

namespace OpsPipeline.Core.Tests.Architecture;

/// <summary>One namespace using another, and the first use found (the edge's cause).</summary>
internal sealed record NamespaceEdge(string From, string To, string Cause);

/// <summary>
/// Which namespaces of a compiled assembly use which, read from its metadata: each type's base type, interfaces,
/// generic constraints and attributes (typeof arguments too); its fields', properties', events' and methods'
/// signatures; and every type, method, field and signature token in its method bodies, with their locals and catch
/// clauses. A namespace is the first segment below the root (<c>Events.Internal</c> is part of <c>Events</c>), types
/// directly in the root form <c>(root)</c>, and a nested or compiler-generated type (lambda closure, iterator, async
/// state machine) speaks for its outermost type.
/// </summary>
internal static class NamespaceDependencies
{
    public const string RootComponent = "(root)";

    public static IReadOnlyList<NamespaceEdge> Read(string assemblyPath, string rootNamespace)
    {
        using var stream = File.OpenRead(assemblyPath);
        using var pe = new PEReader(stream);
        var md = pe.GetMetadataReader();
        var types = new TypeMentions(md);
        var edges = new Dictionary<(string, string), NamespaceEdge>();
        foreach (var handle in md.TypeDefinitions)
        {
            var owner = TypeMentions.NameOf(md, Outermost(md, handle));
            if (ComponentOf(owner, rootNamespace) is not { } from)
            {
                continue;
            }

            foreach (var used in MentionsOf(md, pe, types, md.GetTypeDefinition(handle)))
            {
                if (ComponentOf(used, rootNamespace) is { } to && to != from)
                {
                    edges.TryAdd((from, to), new NamespaceEdge(from, to, $"{Relative(owner, rootNamespace)} uses {Relative(used, rootNamespace)}"));
                }
            }
        }

        return [.. edges.Values.OrderBy(e => e.From, StringComparer.Ordinal).ThenBy(e => e.To, StringComparer.Ordinal)];
    }

    /// <summary>The namespace (first segment below the root) a full type name belongs to; null outside the root.</summary>
    public static string? ComponentOf(string typeName, string rootNamespace)
    {
        if (!typeName.StartsWith(rootNamespace + ".", StringComparison.Ordinal))
        {
            return null;
        }

        var rest = typeName[(rootNamespace.Length + 1)..];
        var dot = rest.IndexOf('.', StringComparison.Ordinal);
        return dot < 0 ? RootComponent : rest[..dot];
    }

    private static string Relative(string typeName, string rootNamespace) => typeName[(rootNamespace.Length + 1)..];

    private static TypeDefinitionHandle Outermost(MetadataReader md, TypeDefinitionHandle handle)
    {
        while (md.GetTypeDefinition(handle).GetDeclaringType() is { IsNil: false } outer)
        {
            handle = outer;
        }

        return handle;
    }

    private static IEnumerable<string> MentionsOf(MetadataReader md, PEReader pe, TypeMentions types, TypeDefinition type)
    {
        var found = new List<string>();
        if (!type.BaseType.IsNil)
        {
            found.AddRange(types.OfToken(type.BaseType));
        }

        foreach (var i in type.GetInterfaceImplementations())
        {
            found.AddRange(types.OfToken(md.GetInterfaceImplementation(i).Interface));
        }

        found.AddRange(types.OfGenericParameters(type.GetGenericParameters()));
        found.AddRange(types.OfAttributes(type.GetCustomAttributes()));
        foreach (var f in type.GetFields())
        {
            var field = md.GetFieldDefinition(f);
            found.AddRange(field.DecodeSignature(types, null));
            found.AddRange(types.OfAttributes(field.GetCustomAttributes()));
        }

        foreach (var p in type.GetProperties())
        {
            var property = md.GetPropertyDefinition(p);
            found.AddRange(types.OfMethodSignature(property.DecodeSignature(types, null)));
            found.AddRange(types.OfAttributes(property.GetCustomAttributes()));
        }

        foreach (var e in type.GetEvents())
        {
            found.AddRange(types.OfToken(md.GetEventDefinition(e).Type));
        }

        foreach (var m in type.GetMethods())
        {
            var method = md.GetMethodDefinition(m);
            found.AddRange(types.OfMethodSignature(method.DecodeSignature(types, null)));
            found.AddRange(types.OfAttributes(method.GetCustomAttributes()));
            found.AddRange(types.OfGenericParameters(method.GetGenericParameters()));
            foreach (var p in method.GetParameters())
            {
                found.AddRange(types.OfAttributes(md.GetParameter(p).GetCustomAttributes()));
            }

            if (method.RelativeVirtualAddress != 0)
            {
                found.AddRange(OfBody(md, pe.GetMethodBody(method.RelativeVirtualAddress), types));
            }
        }

        return found;
    }

    private static IEnumerable<string> OfBody(MetadataReader md, MethodBodyBlock body, TypeMentions types)
    {
        var found = new List<string>();
        if (!body.LocalSignature.IsNil)
        {
            foreach (var local in md.GetStandaloneSignature(body.LocalSignature).DecodeLocalSignature(types, null))
            {
                found.AddRange(local);
            }
        }

        foreach (var region in body.ExceptionRegions)
        {
            if (!region.CatchType.IsNil)
            {
                found.AddRange(types.OfToken(region.CatchType));
            }
        }

        var il = body.GetILReader();
        while (il.RemainingBytes > 0)
        {
            int code = il.ReadByte();
            if (code == 0xFE)
            {
                code = 0xFE00 | il.ReadByte();
            }

            switch (OperandTypes[code])
            {
                case OperandType.InlineField or OperandType.InlineMethod or OperandType.InlineTok or OperandType.InlineType or OperandType.InlineSig:
                    found.AddRange(types.OfToken(MetadataTokens.EntityHandle(il.ReadInt32())));
                    break;
                case OperandType.InlineSwitch:
                    var targets = il.ReadInt32(); // read first: Offset += ReadInt32() would lose the count's own 4 bytes
                    il.Offset += 4 * targets;
                    break;
                case var other:
                    il.Offset += OperandSize(other);
                    break;
            }
        }

        return found;
    }

    private static int OperandSize(OperandType type) => type switch
    {
        OperandType.InlineNone => 0,
        OperandType.ShortInlineBrTarget or OperandType.ShortInlineI or OperandType.ShortInlineVar => 1,
        OperandType.InlineVar => 2,
        OperandType.InlineI8 or OperandType.InlineR => 8,
        _ => 4, // InlineBrTarget, InlineI, InlineString, ShortInlineR
    };

    /// <summary>Every IL opcode's operand type, from the runtime's own table.</summary>
    private static readonly Dictionary<int, OperandType> OperandTypes = typeof(OpCodes)
        .GetFields(BindingFlags.Public | BindingFlags.Static)
        .Select(f => (OpCode)f.GetValue(null)!)
        .ToDictionary(op => op.Value & 0xFFFF, op => op.OperandType);
}
