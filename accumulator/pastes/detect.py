"""Which language a paste is written in, for snippets as short as two lines.

Pygments' `guess_lexer` asks every lexer whether it could read the text; most lexers only know
their shebang or file header, so a short snippet gets a poor guess or none. This is a scorer made for
snippets instead: per language, weighted patterns of what only that language writes (`def f(x):`,
`fmt.Println(`, `std::`, `<?php`, `{ get; set; }`, `; then`), counted at most three times each. The
language with the highest score wins if it scores at least `MIN_SCORE`; otherwise nothing is
guessed. A language that extends another (TypeScript, C++, JSX) scores as its base plus its own
patterns, so it wins only on something of its own.

Only the first `SAMPLE` characters are read and every pattern stays within a line (no nested
repeats), so the time is bounded whatever the size of the paste: about a millisecond for a
snippet, a few for a megabyte. tests/pastes/test_detect.py measures it on labelled snippets
(tests/pastes/snippets/); bench/paste_language.py prints the figures beside Pygments'.
"""

from __future__ import annotations

import re
from functools import cache
from itertools import islice

SAMPLE = 4_000  # characters read: about a hundred lines, plenty to tell a language by
MIN_SCORE = 2.0
MAX_COUNT = 3  # a pattern counts at most this many times, so no single habit outweighs the rest

EXTENDS = {"typescript": "javascript", "cpp": "c", "jsx": "javascript"}

_TS_PRIM = r"(?:string|number|boolean|any|void|unknown|never|bigint)"
_HTML_TAG = (
    r"(?:html|head|body|div|span|p|a|ul|ol|li|table|thead|tbody|tr|td|th|form|input|button|label|select|option"
    r"|textarea|img|h[1-6]|nav|header|footer|section|article|main|script|link|meta|title|style|br|hr|strong|em"
    r"|iframe|canvas|svg|small|code|pre|blockquote)"
)
_SHELL_COMMANDS = (
    r"(?:sudo|apt|apt-get|yum|dnf|apk|brew|pip3?|npm|npx|yarn|pnpm|git|docker|kubectl|helm|curl|wget|cd|ls|mkdir"
    r"|rm|cp|mv|chmod|chown|cat|echo|export|source|systemctl|journalctl|ssh|scp|rsync|tar|grep|find|sed|awk|make"
    r"|cargo|go|python3?|node|ln|touch|alias|unset|set|trap|exec|printf|kill|ps|terraform|gcloud|aws|psql|mysql"
    r"|openssl|tail|head|xargs|jq|env|nohup|crontab|ufw|useradd|chsh|du|df|tee|ping|dig|nc|which|poetry|uv|conda)"
)

# language → (weight, pattern); patterns are compiled with re.MULTILINE.
RULES: dict[str, tuple[tuple[float, str], ...]] = {
    "python": (
        (5, r"^[ \t]*(?:async[ \t]+)?def[ \t]+\w+[ \t]*\(.*\)[ \t]*(?:->[^:\n]+)?:[ \t]*(?:#.*)?$"),
        (4, r"^[ \t]*class[ \t]+\w+(?:\([^)\n]*\))?[ \t]*:[ \t]*$"),
        (3, r"^[ \t]*(?:from[ \t]+[\w.]+[ \t]+import[ \t]+[\w*, ()]+|import[ \t]+[\w.]+(?:[ \t]+as[ \t]+\w+)?)[ \t]*$"),
        (2, r"^[ \t]*(?:if|elif|while|for|with|except|try|else|finally)\b[^{};\n]*:[ \t]*(?:#.*)?$"),
        (3, r"^[ \t]*elif\b"),
        (2, r"\bself\.\w+"),
        (2, r"\bfor[ \t]+\w+(?:[ \t]*,[ \t]*\w+)*[ \t]+in[ \t]+(?![^;\n]*;[ \t]*do\b)"),
        (1, r"\b(?:None|True|False)\b"),
        (1, r"\b(?:print|len|range|enumerate|isinstance|sorted|open)\("),
        (2, r"\b(?:lambda\b[^:\n]*:|__\w+__)|\bf\"[^\"\n]*\{|\bf'[^'\n]*\{"),
        (2, r"\braise[ \t]+\w+|\bnot[ \t]+in\b|\bis[ \t]+(?:not[ \t]+)?None\b|^[ \t]*pass[ \t]*$"),
        (1, r"^[ \t]*@\w+(?:\.\w+)*(?:\(.*\))?[ \t]*$"),
        (2, r"[(,][ \t]*[a-z_]\w*=[^=\s]"),  # keyword arguments: `(nargs="+", default=800)`
        (-1, r";[ \t]*$"),
        (-1, r"^[ \t]*\}"),
    ),
    "javascript": (
        (2, r"\b(?:const|let)[ \t]+[\w$]+[ \t]*="),
        (1, r"\bvar[ \t]+[\w$]+[ \t]*="),
        (3, r"\bfunction\b[ \t]*[\w$]*[ \t]*\([^$\n]*\)[ \t]*\{"),
        (1, r"=>"),
        (4, r"\bconsole\.(?:log|error|warn|info|debug)\("),
        (3, r"\b(?:document|window|navigator|localStorage)\.\w+"),
        (3, r"\brequire\([ \t]*['\"][\w@./-]+['\"][ \t]*\)"),
        (4, r"\bmodule\.exports\b|\bexports\.\w+[ \t]*="),
        (2, r"^[ \t]*export[ \t]+(?:default|const|function|class|async|let)\b"),
        (2, r"^[ \t]*import[ \t]+.+[ \t]+from[ \t]+['\"]"),
        (1.5, r"===|!=="),
        (2, r"\.then\(|\.catch\("),
        (2, r"\basync[ \t]+(?:function\b|\(|[\w$]+[ \t]*=>)|\bawait[ \t]+fetch\("),
        (3, r"\baddEventListener\(|\bquerySelector(?:All)?\("),
        (2, r"\bundefined\b|\bJSON\.(?:stringify|parse)\("),
        (2, r"`[^`\n]*\$\{"),
        (1, r"\bthis\.\w+"),
        (2, r"^[ \t]+(?!(?:if|for|while|switch|catch)\b)[\w$]+[ \t]*\([^)\n]*\)[ \t]*\{[ \t]*$"),  # `  increment() {`
        (1, r"\bnew[ \t]+(?:Promise|Map|Set|Date|Error)\b"),
    ),
    "typescript": (
        (4, r"[(,][ \t]*[\w$]+\??[ \t]*:[ \t]*" + _TS_PRIM + r"\b"),
        (2, r"[(,][ \t]*[\w$]+\??[ \t]*:[ \t]*[A-Z]\w*"),
        (4, r"\)[ \t]*:[ \t]*[\w$<>\[\]|. ]+[ \t]*(?:\{|=>)"),
        (4, r"\b(?:let|const|var)[ \t]+[\w$]+[ \t]*:[ \t]*\S"),
        (2, r"^[ \t]*(?:readonly[ \t]+)?[\w$]+\??[ \t]*:[ \t]*(?:" + _TS_PRIM + r"|[A-Z]\w*)(?:<.*>)?(?:\[\])?;"),
        (4, r"^[ \t]*(?:export[ \t]+)?interface[ \t]+\w+(?:[ \t]+extends[ \t]+[\w, ]+)?[ \t]*\{"),
        (4, r"^[ \t]*(?:export[ \t]+)?type[ \t]+\w+(?:<[^>\n]*>)?[ \t]*="),
        (3, r"\bas[ \t]+(?:string|number|const|any|unknown)\b|\)[ \t]+as[ \t]+[A-Z]\w*"),
        (2, r"^[ \t]*(?:export[ \t]+)?(?:const[ \t]+)?enum[ \t]+\w+[ \t]*\{"),
        (3, r"\b(?:private|public|protected)[ \t]+readonly\b|\bconstructor\([ \t]*(?:private|public|readonly)\b"),
        (3, r"\b(?:Array|Promise|Record|Partial|ReadonlyArray)<|<(?:string|number|boolean|any)>"),
        (3, r"@(?:Component|Injectable|NgModule|Input|Output)\("),
    ),
    "jsx": (
        (4, r"\bclassName=|\bonClick=\{|^[ \t]*</?>[ \t]*$"),
        (3, r"^[ \t]*(?:return[ \t]*\(?[ \t]*)?<[A-Z]\w*[ \t/>]"),
    ),
    "java": (
        (5, r"\bSystem\.(?:out|err)\.print(?:ln|f)?\(|\bSystem\.(?:in|exit|currentTimeMillis|getProperty)\b"),
        (2, r"\bpublic[ \t]+(?:abstract[ \t]+|final[ \t]+)?(?:interface|class|enum|record)[ \t]+\w+"),
        (3, r"\b([A-Z]\w*)(?:<[^>\n]*>)?[ \t]+\w+[ \t]*=[ \t]*new[ \t]+\1\b|\bOptional<"),
        (2, r"^[ \t]*[\w<>\[\], ]+[ \t]+[a-z]+[A-Z]\w*\([^)\n]*\);[ \t]*$"),  # `List<T> findAll();`
        (3, r"\b(?:Arrays|Collections|Integer|Objects|Files|Paths|Thread|LocalDate|Executors)\.[a-z]\w*\("),
        (5, r"^[ \t]*import[ \t]+(?:static[ \t]+)?javax?\.[\w.*]+;"),
        (2, r"^[ \t]*import[ \t]+[\w.]+(?:\.\*)?;[ \t]*$"),
        (4, r"^[ \t]*package[ \t]+[\w.]+;[ \t]*$"),
        (5, r"\bpublic[ \t]+static[ \t]+void[ \t]+main[ \t]*\([ \t]*String"),
        (2, r"\b(?:public|private|protected)[ \t]+(?:static[ \t]+)?(?:final[ \t]+)?[\w<>\[\]]+[ \t]+[a-z]\w*[ \t]*\("),
        (3, r"\bString\[\][ \t]+\w+|\bString[ \t]+\w+[ \t]*[=;,)]"),
        (
            4,
            r"@Override\b|@(?:Autowired|RestController|Controller|Service|Entity|GetMapping|PostMapping|RequestMapping"
            r"|RequestParam|PathVariable|Test|Bean)\b",
        ),
        (3, r"\bnew[ \t]+\w+<>\(|\b(?:ArrayList|HashMap|HashSet|LinkedList)<"),
        (3, r"\bprivate[ \t]+final\b|\bthrows[ \t]+\w+|\bboolean\b"),
        (4, r"\.stream\(\)|\bCollectors\.|[\w)][ \t]+->[ \t]+[\w{(]"),
        (1, r"\b(?:extends|implements|instanceof)\b"),
    ),
    "csharp": (
        (5, r"^[ \t]*using[ \t]+System(?:\.[\w.]+)?;"),
        (2, r"^[ \t]*using[ \t]+[\w.]+;[ \t]*$"),
        (2, r"^[ \t]*namespace[ \t]+[\w.]+[ \t]*[;{]?[ \t]*$"),
        (5, r"\bConsole\.(?:Write|WriteLine|ReadLine|ReadKey)\("),
        (5, r"\bstatic[ \t]+(?:async[ \t]+)?(?:void|int|Task)[ \t]+Main\("),
        (5, r"\{[ \t]*get;[ \t]*(?:(?:private[ \t]+|init)?set;)?[ \t]*\}|\$\"[^\"\n]*\{|\bnameof\("),
        (3, r"(?<!::)\bstring(?:\[\])?[ \t]+\w+[ \t]*[=;,)]"),
        (5, r"\bforeach[ \t]*\([ \t]*(?:var|string|int|[A-Z]\w*)[ \t]+\w+[ \t]+in\b|\basync[ \t]+Task\b|\bTask<"),
        (
            4,
            r"^[ \t]*\[(?:HttpGet|HttpPost|HttpPut|HttpDelete|Route|ApiController|Authorize|Fact|Theory|Serializable"
            r"|ValidateAntiForgeryToken|Required|TestMethod)\b[^\]\n]*\][ \t]*$",
        ),
        (4, r"\b(?:IActionResult|ILogger|IEnumerable|IList|ActionResult|IServiceCollection|DbContext)\b"),
        (3, r"\.(?:Where|Select|OrderBy|OrderByDescending|ToList|FirstOrDefault|Any|ToArray)\("),
        (
            3,
            r"\b(?:public|private|protected|internal)[ \t]+(?:(?:static|override|virtual|async|readonly)[ \t]+)*"
            r"[\w<>\[\]]+[ \t]+(?:[A-Z]\w*[ \t]*\(|_\w+;)",
        ),
        (2, r"\b(?:Environment|Path|File|Directory|Guid|DateTime|Math|String)\.[A-Z]\w*"),
        (2, r"\bvar[ \t]+\w+[ \t]*=[ \t]*(?:new|await)\b|\breadonly[ \t]+\w+"),
        (1, r"\.[A-Z]\w*\("),  # methods are PascalCase
        (2, r"\.[A-Z]\w*<[\w<>, ]+>\("),
        (4, r"\b(?:Vector[23]|GameObject|MonoBehaviour|Quaternion)\b|\bTime\.deltaTime\b|\bDebug\.Log\("),
    ),
    "c": (
        (4, r"^[ \t]*#[ \t]*include[ \t]*<[\w/]+\.h>"),
        (2, r"^[ \t]*#[ \t]*include[ \t]*\"[\w/.]+\""),
        (3, r"^#(?:define|ifdef|ifndef|endif|pragma|undef|if)\b"),
        (3, r"\b(?:printf|fprintf|sprintf|snprintf|scanf|fgets|fopen|fclose|perror)[ \t]*\("),
        (3, r"\b(?:malloc|calloc|realloc|free|memcpy|memset|strlen|strcpy|strncpy|strcmp)[ \t]*\(|\bsizeof\b"),
        (4, r"\bint[ \t]+main[ \t]*\("),
        (2, r"\bstruct[ \t]+\w+[ \t]*[*{\w]|\btypedef\b"),
        (3, r"\bchar[ \t]*\*|\b(?:unsigned|size_t|u?int\d+_t)\b|\bEXIT_(?:SUCCESS|FAILURE)\b"),
        (2, r"\bNULL\b|\w->\w"),
        (2, r"^(?:static[ \t]+)?(?:void|int|char|double|float|long|unsigned)[ \t]+\**\w+[ \t]*\([^)\n]*\)[ \t]*\{?$"),
    ),
    "cpp": (
        (5, r"\bstd::|\busing[ \t]+namespace[ \t]+\w+|\bnullptr\b|\btemplate[ \t]*<|\bmake_(?:unique|shared)<"),
        (
            5,
            r"#[ \t]*include[ \t]*<(?:iostream|vector|string|map|unordered_map|memory|algorithm|sstream|fstream"
            r"|iomanip|set|queue|thread|mutex|optional|array|cstdio|cstdlib|cstring|cmath|functional)>",
        ),
        (4, r"\b(?:cout|cin|cerr|endl)\b|^[ \t]*(?:public|private|protected):[ \t]*$"),
        (4, r"\bclass[ \t]+\w+[ \t]*:[ \t]*(?:public|private|protected)[ \t]+\w+"),
        (3, r"\bauto[ \t]*[&*]?[ \t]+\w+[ \t]*[=:(]|\(\s*(?:const[ \t]+)?auto[ \t]*&?[ \t]*\w+[ \t]*:"),
        (3, r"\b(?:explicit|constexpr|noexcept|virtual)\b|\)[ \t]*const[ \t]*(?:override)?[ \t]*[{;]"),
        (2, r"\w::\w|<<[ \t]*\"|<<[ \t]*\w+[ \t]*<<"),
        (4, r"\bSerial\.\w+\(|\b(?:pinMode|digitalWrite|digitalRead|analogRead|analogWrite)\("),  # Arduino
    ),
    "go": (
        (4, r"^package[ \t]+\w+[ \t]*$"),
        (3, r"^[ \t]*func[ \t]+(?:\([^)\n]*\)[ \t]*)?\w+[ \t]*\("),
        (2, r"\bfunc[ \t]*\("),
        (3, r":="),
        (5, r"\bfmt\.(?:Print|Println|Printf|Sprintf|Errorf|Fprintf|Sprint)\w*\(|\berr[ \t]*!=[ \t]*nil\b"),
        (4, r"^[ \t]*import[ \t]+(?:\([ \t]*|\"[\w./-]+\")[ \t]*$"),
        (3, r"^[ \t]*(?:defer|go)[ \t]+\w+|\bchan[ \t]+\w+|\bmake\(chan\b"),
        (5, r"\btype[ \t]+\w+[ \t]+(?:struct|interface)[ \t]*\{"),
        (4, r"\bmap\[\w+\]\w+|\[\](?:string|int|byte|\*?[A-Z]\w*)\b"),
        (2, r"\brange[ \t]+\w+|\b(?:log|os|http|json|strings|time|context|errors|io|sync)\.[A-Z]\w*"),
        (1, r"\bnil\b"),
    ),
    "rust": (
        (5, r"^[ \t]*(?:pub(?:\(crate\))?[ \t]+)?(?:async[ \t]+)?fn[ \t]+\w+[ \t]*(?:<[^>\n]*>)?[ \t]*\("),
        (5, r"\blet[ \t]+mut[ \t]+\w+"),
        (5, r"\b(?:println|print|format|vec|panic|assert|assert_eq|eprintln|writeln)![ \t]*[(\[]"),
        (5, r"^[ \t]*#\[(?:derive|cfg|test|allow|tokio|serde)\b|^[ \t]*impl\b(?:<[^>\n]*>)?[ \t]+[\w:<>]+"),
        (4, r"^[ \t]*use[ \t]+\w+(?:::[\w{}*, ]+)+;"),
        (2, r"\b(?:Some|None|Ok|Err)\b(?:\(|[ \t]*=>)"),
        (4, r"->[ \t]*(?:Self|Result<|Option<|Vec<|String\b|&str|u\d+|i\d+|usize)|&(?:mut[ \t]+)?(?:self|str)\b"),
        (3, r"\.unwrap\(\)|\.expect\(\"|\?;|\.to_(?:string|owned)\(\)"),
        (4, r"\bmatch[ \t]+[\w.]+[ \t]*\{|\bpub[ \t]+(?:struct|enum|fn|mod|trait)\b|\btrait[ \t]+\w+"),
        (2, r"\b(?:u8|u16|u32|u64|i32|i64|usize|isize|f32|f64)\b|::new\("),
    ),
    "ruby": (
        (3, r"^[ \t]*def[ \t]+(?:self\.)?\w+[?!=]?(?:[ \t]*\(.*\))?[ \t]*$"),
        (2, r"^[ \t]*end[ \t]*$"),
        (4, r"^[ \t]*require(?:_relative)?[ \t]+['\"]"),
        (3, r"\bputs[ \t]"),
        (6, r"\battr_(?:accessor|reader|writer)\b|\bdo[ \t]*\|[\w, ]+\||^[ \t]*class[ \t]+\w+[ \t]*<[ \t]*[A-Z]"),
        (4, r"#\{[^}\n]+\}|\b(?:unless|elsif)\b|\.nil\?"),
        (2, r"\.each\b|@\w+[ \t]*=[^=]"),
        (1, r"\bnil\b|[ \t(]:\w+\b(?!:)"),
    ),
    "php": (
        (10, r"<\?php\b"),
        (2, r"\$\w+[ \t]*(?:=|->|\[)"),
        (5, r"\$this->|\bfunction\b[ \t]*\w*[ \t]*\([^)\n]*\$|\$_(?:GET|POST|SERVER|SESSION|COOKIE|REQUEST|FILES)\b"),
        (3, r"[)'\"][ \t]+\.[ \t]+['\"$\w]"),  # concatenation: `uri() . '/main.js'`
        (4, r"\b(?:add_action|add_filter|wp_\w+|esc_html|esc_attr)\("),  # WordPress
        (4, r"\$\w+->\w+\(|\bforeach[ \t]*\([ \t]*\$\w+[ \t]+as\b"),
        (2, r"\$\w+[^;\n]*;[ \t]*$"),
        (
            3,
            r"\b(?:isset|empty|array_\w+|print_r|var_dump|preg_\w+|str_\w+|htmlspecialchars|json_(?:en|de)code"
            r"|in_array|explode|implode|filter_var|array)[ \t]*\(",
        ),
        (5, r"^[ \t]*(?:namespace|use)[ \t]+\w+\\[\w\\]+;"),
        (2, r"\?>|\.[ \t]*\$\w+|\$\w+[ \t]*\.[ \t]*['\"]"),
    ),
    "bash": (
        (8, r"^#![ \t]*/(?:usr/)?bin/(?:env[ \t]+)?(?:ba|z|k|da)?sh\b"),
        (4, r"^[ \t]*(?:if|elif|while|until)[ \t]+\[\[?[ \t]|^[ \t]*(?:fi|done|esac)\b|;[ \t]*(?:then|do)\b"),
        (2, r"^[ \t]*" + _SHELL_COMMANDS + r"(?:[ \t]+-{1,2}[\w-]+|[ \t]+[\w\"'$~./*{-])"),
        (1, r"\$\{?[A-Za-z_]\w*\}?"),
        (3, r"\$\(\w|\"\$[@*]\"|\$[#?0-9]"),
        (3, r"[ \t]\|[ \t]*(?:grep|sed|awk|sort|uniq|wc|xargs|head|tail|jq|tee|cut|tr|less|bash|sh)\b"),
        (4, r"[ \t](?:2>&1|>[ \t]*/dev/null|>&2)"),
        (2, r"^[ \t]*(?:export[ \t]+)?[A-Z_][A-Z0-9_]*=\S|\becho[ \t]+[\"$\w-]|\bexit[ \t]+\d\b"),
        (3, r"^(?:function[ \t]+\w+[ \t]*(?:\(\))?|\w+[ \t]*\(\))[ \t]*\{"),  # from the line's start
        (-1, r"(?<!\\);[ \t]*$"),
        (3, r"^[ \t]*\$[ \t]+\w"),
    ),
    "sql": (
        (5, r"(?i)^[ \t]*SELECT\b.*\bFROM[ \t]+\w"),
        (3, r"(?i)^[ \t]*SELECT[ \t]+(?:DISTINCT[ \t]+)?[\w.*]+[ \t]*(?:,|[ \t]AS[ \t]+\w+[ \t]*,?)[^;(\n]*$"),
        (3, r"(?i)^[ \t]*FROM[ \t]+[\w.\"]+(?:[ \t]+(?:AS[ \t]+)?\w+)?[ \t]*(?:;|$|\b(?:JOIN|WHERE)\b)"),
        (6, r"(?i)^[ \t]*(?:INSERT[ \t]+INTO|DELETE[ \t]+FROM|ALTER[ \t]+TABLE|DROP[ \t]+TABLE|TRUNCATE)\b"),
        (6, r"^[ \t]*(?:GRANT|REVOKE)[ \t]+[A-Z, ]+[ \t]+ON\b"),
        (
            6,
            r"(?i)^[ \t]*CREATE[ \t]+(?:OR[ \t]+REPLACE[ \t]+)?(?:TEMP(?:ORARY)?[ \t]+)?(?:UNIQUE[ \t]+)?"
            r"(?:TABLE|INDEX|VIEW|DATABASE|SCHEMA|FUNCTION|TRIGGER|EXTENSION|SEQUENCE)\b",
        ),
        (3, r"(?i)^[ \t]*UPDATE[ \t]+\w+(?:[ \t]+SET\b|[ \t]*$)|^[ \t]*SET[ \t]+\w+[ \t]*=|\bVALUES[ \t]*\("),
        (4, r"(?i)\bJOIN[ \t]+\w+(?:[ \t]+(?:AS[ \t]+)?\w+)?[ \t]+ON\b|^[ \t]*WITH[ \t]+\w+[ \t]+AS[ \t]*\("),
        (3, r"(?i)\bGROUP[ \t]+BY\b|\bORDER[ \t]+BY\b|\bPRIMARY[ \t]+KEY\b|\bNOT[ \t]+NULL\b|\bcount\(\*\)"),
        (2, r"(?i)\bWHERE[ \t]+[\w.]+[ \t]*(?:=|<|>|!=|<>|\bIN\b|\bLIKE\b|\bIS\b)|\bLIMIT[ \t]+\d+"),
        (2, r"\b(?:VARCHAR|INTEGER|SERIAL|BIGINT|TIMESTAMP|NUMERIC|BOOLEAN|COUNT|SUM|AVG)\b"),
    ),
    "html": (
        (8, r"(?i)^[ \t]*<!DOCTYPE[ \t]+html"),
        (2, r"<" + _HTML_TAG + r"\b[^>\n]*>"),
        (2, r"</" + _HTML_TAG + r">"),
        (1, r"[ \t](?:class|href|src|alt|id|type|rel|name|value|for|action|method|lang|charset|target)=\"[^\"\n]*\""),
    ),
    "xml": (
        (10, r"^[ \t]*<\?xml[ \t]"),
        (4, r"\bxmlns(?::\w+)?=|</?\w+:\w+"),
        (1, r"<(\w+)>[^<\n]*</\1>"),
    ),
    "css": (
        (3, r"^[ \t]*[.#:@]?[\w-]+(?:[ \t]*[,>+~ ][ \t]*[.#]?[\w-]+|:[\w-]+(?:\([^)\n]*\))?)*[ \t]*\{[ \t]*$"),
        (
            3,
            r"\b(?:color|background(?:-color)?|margin|padding|display|font-(?:size|family|weight)|border(?:-radius)?"
            r"|width|height|position|flex|grid-template-columns|gap|text-decoration|text-align|z-index|opacity)"
            r"[ \t]*:[ \t]*[^;{}\n]+;",
        ),
        (
            3,
            r"^[ \t]*@(?:media|import|font-face|keyframes|supports)\b|\b\d+(?:px|rem|em|vh|vw|fr)\b|#[0-9a-fA-F]{3,6};",
        ),
        (3, r"^[ \t]*--[\w-]+[ \t]*:|\bvar\(--[\w-]+\)"),
    ),
    "json": (
        (2, r"\A\s*[\[{]"),
        (2, r"^[ \t]*[\[{]?[ \t]*\"[^\"\n]+\"[ \t]*:[ \t]*(?:\"|\d|true|false|null|\[|\{)"),
        (-3, r";[ \t]*$|^[ \t]*(?:const|let|var|def|import|function|return)\b"),
    ),
    "yaml": (
        (1.5, r"^[ \t]*(?!(?:else|try|finally|except|default|public|private|protected)\b)[\w.-]+:[ \t]*$"),
        (1, r"^[ \t]*[\w.-]+:[ \t]+[^\s{;][^;{}\n]*$"),
        (2, r"^[ \t]*-[ \t]+[\w.-]+:[ \t]"),
        (0.5, r"^[ \t]*-[ \t]+[\w\"'.-]+"),  # a list of words alone is as likely a note's list
        (1, r"^---[ \t]*$"),
        (-1, r"[;{}][ \t]*$"),
    ),
    "toml": (
        (2, r"^[ \t]*\[[a-z][\w.-]*\][ \t]*$"),
        (4, r"^[ \t]*\[\[[\w.-]+\]\][ \t]*$"),
        (1, r"^[ \t]*[\w.-]+[ \t]*=[ \t]*(?:\"[^\"\n]*\"|'[^'\n]*'|\d[\w.:-]*|true|false|\[.*\]|\{.*\})[ \t]*$"),
    ),
    "ini": (
        (1.5, r"^[ \t]*\[[\w .:-]+\][ \t]*$"),
        (1, r"^[ \t]*[\w.-]+[ \t]*=[ \t]*[^\"'\[{\s][^;{}()\n]*$"),
    ),
    "docker": (
        (6, r"^FROM[ \t]+(?:--platform=\S+[ \t]+)?[\w./-]+(?::[\w.-]+|@sha256:\w+)(?:[ \t]+AS[ \t]+\w+)?[ \t]*$"),
        (3, r"^(?:RUN|COPY|ADD|CMD|ENTRYPOINT|WORKDIR|ENV|EXPOSE|ARG|USER|LABEL|VOLUME|HEALTHCHECK)[ \t]+\S"),
    ),
    "diff": (
        (8, r"^diff --git[ \t]|^@@ -\d+(?:,\d+)? \+\d+(?:,\d+)? @@"),
        (3, r"^(?:---|\+\+\+) [\w/.]"),
        (5, r"^index [0-9a-f]+\.\.[0-9a-f]+"),
    ),
    "pytb": ((12, r"^Traceback \(most recent call last\):"), (4, r"^[ \t]+File \"[^\"\n]+\", line \d+")),
    "markdown": (
        (1, r"^#{1,6}[ \t]+\w"),
        (2, r"^#{2,6}[ \t]+\w"),
        (5, r"^[ \t]*[-*][ \t]+\[[ xX]\][ \t]"),
        (3, r"\[[^\]\n]+\]\((?:https?://|/|\.)[^)\n]*\)|^```\w*[ \t]*$"),
        (2, r"\*\*\S[^*\n]*\S\*\*"),
        (0.5, r"^[ \t]*(?:[-*+]|\d+\.)[ \t]+\S"),
        (1, r"`[^`\n]+`|^>[ \t]"),
    ),
    "make": ((8, r"^\.PHONY:"), (4, r"^[\w./%-]+:[^=\n]*\n\t\S"), (2, r"\$\([A-Z_]+\)")),
    "nginx": (
        (3, r"^[ \t]*(?:server|location|upstream|http|events)\b[^;{\n]*\{[ \t]*$"),
        (4, r"^[ \t]*(?:listen|server_name|proxy_pass|try_files|proxy_set_header|ssl_certificate|root)[ \t]+[^;\n]+;"),
    ),
    "lua": (
        (4, r"^[ \t]*local[ \t]+(?:function\b|\w+(?:[ \t]*,[ \t]*\w+)*[ \t]*=)"),
        (5, r"\b(?:i?pairs)\(|--\[\[|~="),
        (1, r"\bthen[ \t]*$|\.\.[ \t]*[\"'\w]|^[ \t]*end[ \t]*$"),
    ),
    "kotlin": (
        (5, r"^[ \t]*fun[ \t]+\w+[ \t]*\(|\bdata[ \t]+class\b|\?\.let[ \t]*\{"),
        (3, r"\bval[ \t]+\w+[ \t]*[:=]"),
    ),
    "swift": (
        (8, r"^[ \t]*import[ \t]+(?:UIKit|Foundation|SwiftUI|Combine)[ \t]*$"),
        (6, r"\bguard[ \t]+let\b|\bif[ \t]+let\b|@(?:State|Published|Binding)\b|\bfunc[ \t]+\w+\([^)\n]*\)[ \t]*->"),
    ),
    "elixir": ((8, r"^[ \t]*defmodule[ \t]+[\w.]+[ \t]+do[ \t]*$"), (4, r"^[ \t]*defp?[ \t]+\w+.*\bdo:?|\|>")),
    "haskell": ((8, r"^module[ \t]+[\w.]+.*\bwhere[ \t]*$|^import[ \t]+qualified\b"), (4, r"^\w+[ \t]+::[ \t]+\S")),
    "powershell": ((6, r"\$env:\w+|\b(?:Get|Set|New|Remove|Write|Invoke|Import|Start|Test)-[A-Z]\w+"),),
    "perl": ((10, r"^#!.*\bperl\b|\buse[ \t]+strict;"), (5, r"\bmy[ \t]+[$@%]\w+")),
    "terraform": ((8, r"^[ \t]*(?:resource|provider|variable|module|output|data)[ \t]+\"[\w-]+\"[^{\n]*\{"),),
    "proto": ((10, r"^syntax[ \t]*=[ \t]*\"proto[23]\";"), (3, r"^[ \t]*message[ \t]+\w+[ \t]*\{")),
    "latex": ((5, r"\\(?:documentclass|usepackage|begin\{|end\{|section\{)"),),
    "graphql": ((5, r"^[ \t]*(?:query|mutation|subscription|fragment)\b[ \t]*\w*[ \t]*(?:\(|\{|on\b)"),),
}


@cache
def _compiled() -> dict[str, tuple[tuple[float, re.Pattern[str]], ...]]:
    return {
        language: tuple((weight, re.compile(pattern, re.MULTILINE)) for weight, pattern in rules)
        for language, rules in RULES.items()
    }


def sample(content: str) -> str:
    """The part of the content that is read: the first SAMPLE characters, up to a line's end."""
    if len(content) <= SAMPLE:
        return content
    cut = content.rfind("\n", 0, SAMPLE)
    return content[: cut if cut > 0 else SAMPLE]


def scores(content: str) -> dict[str, float]:
    """Every language's score on the content's sample (a language that extends another includes
    its base's score)."""
    text = sample(content)
    own = {
        language: sum(weight * sum(1 for _ in islice(pattern.finditer(text), MAX_COUNT)) for weight, pattern in rules)
        for language, rules in _compiled().items()
    }
    return {language: score + own.get(EXTENDS.get(language, ""), 0.0) for language, score in own.items()}


def detect(content: str) -> str | None:
    """The Pygments alias of the language the content is most likely written in, or None when no
    language scores at least MIN_SCORE. Ties go to the language listed first in RULES."""
    if not content.strip():
        return None
    ranked = scores(content)
    best = max(ranked, key=lambda language: ranked[language])  # the first of equals, in RULES' order
    return best if ranked[best] >= MIN_SCORE else None
