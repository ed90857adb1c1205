using System.Globalization;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace OpsPipeline.Core.Configuration.Internal;

/// <summary>Finds every duplicate mapping key (with its field path) in one pass over the parser's events.</summary>
internal static class DuplicateKeyScan
{
    public static void Scan(string yamlText, List<ConfigError> errors)
    {
        var parser = new Parser(new StringReader(yamlText));
        var open = new Stack<Frame>();
        var last = Mark.Empty;
        while (Next(parser, last))
        {
            var current = parser.Current!;
            last = current.End;
            if (current is MappingEnd or SequenceEnd)
            {
                open.Pop();
                continue;
            }

            if (current is not (Scalar or MappingStart or SequenceStart or AnchorAlias))
            {
                continue;
            }

            var path = string.Empty;
            if (open.TryPeek(out var parent))
            {
                path = parent.Enter(current, errors);
            }

            if (current is MappingStart)
            {
                open.Push(new Frame(path, IsMapping: true));
            }
            else if (current is SequenceStart)
            {
                open.Push(new Frame(path, IsMapping: false));
            }
        }
    }

    private static bool Next(Parser parser, Mark last)
    {
        try
        {
            return parser.MoveNext();
        }
        catch (InvalidOperationException e)
        {
            // Some malformed input (e.g. an unclosed flow sequence) trips YamlDotNet's scanner without a position.
            throw new YamlException(last, last, "could not parse past this point (an unclosed bracket, brace or quote?)", e);
        }
    }

    private sealed record Frame(string Path, bool IsMapping)
    {
        private readonly Dictionary<string, long> _keys = new(StringComparer.Ordinal);
        private bool _expectingKey = true;
        private string _key = "?";
        private int _index;

        /// <summary>Records a node that starts inside this collection and returns the node's field path.</summary>
        public string Enter(ParsingEvent node, List<ConfigError> errors)
        {
            if (!IsMapping)
            {
                return $"{Path}[{_index++.ToString(CultureInfo.InvariantCulture)}]";
            }

            if (!_expectingKey)
            {
                _expectingKey = true;
                return ConfigReader.Join(Path, _key);
            }

            _expectingKey = false;
            _key = node is Scalar scalar ? scalar.Value : "?";
            if (node is Scalar)
            {
                if (_keys.TryGetValue(_key, out var firstLine))
                {
                    errors.Add(new ConfigError(
                        (int)node.Start.Line,
                        (int)node.Start.Column,
                        ConfigReader.Join(Path, _key),
                        $"duplicate key '{_key}' (first given at line {firstLine.ToString(CultureInfo.InvariantCulture)})"));
                }
                else
                {
                    _keys[_key] = node.Start.Line;
                }
            }

            return ConfigReader.Join(Path, "?");
        }
    }
}
