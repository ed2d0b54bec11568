package server

import (
	"encoding"
	"encoding/json"
	"fmt"
	"net/http"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/gin-gonic/gin"
	"go.yaml.in/yaml/v4"

	"github.com/ptacycle/ptacycle"
	"github.com/ptacycle/ptacycle/app"
	"github.com/ptacycle/ptacycle/workflows"
)

// openAPIOnce holds the document, built on first request: it depends only on the route table.
var openAPIOnce struct {
	sync.Once
	yaml []byte
	err  error
}

// openAPIDocument serves the OpenAPI description of /api/v1.
func (s *Server) openAPIDocument(c *gin.Context) {
	openAPIOnce.Do(func() {
		doc, err := openAPISpec(s.apiRoutes())
		if err == nil {
			openAPIOnce.yaml, err = yaml.Dump(doc, yaml.WithIndent(2))
		}
		openAPIOnce.err = err
	})
	if openAPIOnce.err != nil {
		s.fail(c, openAPIOnce.err)
		return
	}
	c.Data(http.StatusOK, "application/yaml", openAPIOnce.yaml)
}

// errorStatuses are the answers any route can give, all with an Error body (see statusOf and limitBody).
var errorStatuses = []int{400, 401, 403, 404, 409, 413, 415, 422, 429, 500, 503}

// paramTypes gives the type of path and query parameters by name; the others are strings.
var paramTypes = map[string]any{
	"id": int64(0), "year": 0, "number": 0, "version": 0, "from": 0, "to": 0,
	"page": 0, "pageSize": 0, "limit": 0, "before": int64(0),
	"unit": int64(0), "region": int64(0), "axis": int64(0), "owner": int64(0), "actor": int64(0), "partner": int64(0),
	"unread": false, "overdue": false, "day": ptacycle.Date{},
	"role": ptacycle.Role(""), "status": ptacycle.ActivityStatus(""),
}

// errorBody is the JSON of an error answer, as localized writes it.
type errorBody struct {
	Code    string `json:"code"`
	Message string `json:"message"`
	Fields  []struct {
		Field   string `json:"field"`
		Message string `json:"message"`
	} `json:"fields,omitempty"`
	Current any `json:"current,omitempty"`
}

const (
	sessionScheme = "session"
	bearerScheme  = "bearer"
)

// openAPISpec describes routes as an OpenAPI 3.0.3 document mounted at /api/v1.
func openAPISpec(routes []route) (*openapi3.T, error) {
	g := newSchemaGen()
	errorSchema := g.component("Error", reflect.TypeFor[errorBody](), replyBody)
	errorResponse := &openapi3.ResponseRef{Ref: "#/components/responses/Error"}
	doc := &openapi3.T{
		OpenAPI: "3.0.3",
		Info: &openapi3.Info{
			Title: "ptacycle API",
			Description: "API JSON de ptacycle : le cycle annuel de planification (bilan, recommandations, PTA, validation, exécution). " +
				"Authentification par la session du navigateur ou par un jeton personnel (Authorization: Bearer). " +
				"Les erreurs sont {code, message, fields, current}, dans la langue demandée par Accept-Language.\n\n" +
				"ptacycle's JSON API: the annual planning cycle (review, recommendations, work plan, approval, execution). " +
				"Authenticate with the browser session or a personal token (Authorization: Bearer). " +
				"Errors are {code, message, fields, current}, in the language asked by Accept-Language.",
			Version: "1",
		},
		Servers: openapi3.Servers{{URL: "/api/v1"}},
		Paths:   openapi3.NewPaths(),
		Components: &openapi3.Components{
			Schemas: g.components,
			Responses: openapi3.ResponseBodies{"Error": {Value: openapi3.NewResponse().
				WithDescription("Erreur / Error").WithJSONSchemaRef(errorSchema)}},
			SecuritySchemes: openapi3.SecuritySchemes{
				sessionScheme: {Value: &openapi3.SecurityScheme{Type: "apiKey", In: "cookie", Name: "ptacycle_session",
					Description: "Session ouverte par POST /session / Session opened by POST /session"}},
				bearerScheme: {Value: &openapi3.SecurityScheme{Type: "http", Scheme: "bearer",
					Description: "Jeton personnel créé par POST /me/tokens / Personal token created by POST /me/tokens"}},
			},
		},
		Security: openapi3.SecurityRequirements{{sessionScheme: {}}, {bearerScheme: {}}},
	}
	for _, rt := range routes {
		path, params := openAPIPath(rt.path)
		op := &openapi3.Operation{
			OperationID: operationID(rt.method, path),
			Summary:     rt.summary,
			Description: permissionText(rt.action),
			Responses:   openapi3.NewResponses(),
		}
		for _, name := range params {
			op.AddParameter(&openapi3.Parameter{Name: name, In: openapi3.ParameterInPath, Required: true, Schema: g.param(name)})
		}
		for _, name := range rt.query {
			op.AddParameter(&openapi3.Parameter{Name: name, In: openapi3.ParameterInQuery, Schema: g.param(name)})
		}
		if rt.action == app.Public {
			op.Security = &openapi3.SecurityRequirements{}
		}
		switch rt.in.(type) {
		case nil:
		case evidenceUpload:
			form := openapi3.NewObjectSchema().
				WithProperty("file", openapi3.NewStringSchema().WithFormat("binary")).
				WithProperty("version", openapi3.NewIntegerSchema()).
				WithProperty("comment", openapi3.NewStringSchema()).WithRequired([]string{"file", "version"})
			op.RequestBody = &openapi3.RequestBodyRef{Value: openapi3.NewRequestBody().WithRequired(true).
				WithContent(openapi3.NewContentWithFormDataSchema(form))}
		case workbook:
			upload := workbookContent()
			upload["multipart/form-data"] = openapi3.NewMediaType().WithSchema(openapi3.NewObjectSchema().
				WithProperty("file", openapi3.NewStringSchema().WithFormat("binary")).WithRequired([]string{"file"}))
			op.RequestBody = &openapi3.RequestBodyRef{Value: openapi3.NewRequestBody().WithRequired(true).WithContent(upload)}
		default:
			op.RequestBody = &openapi3.RequestBodyRef{Value: openapi3.NewRequestBody().WithRequired(true).
				WithJSONSchemaRef(g.schema(reflect.TypeOf(rt.in), modeOf(rt.method)))}
		}
		success := openapi3.NewResponse().WithDescription(http.StatusText(rt.status))
		switch rt.out.(type) {
		case nil:
		case workbook:
			success.WithContent(workbookContent())
		case evidenceDownload:
			success.WithContent(openapi3.NewContentWithSchema(openapi3.NewStringSchema().WithFormat("binary"), ptacycle.EvidenceContentTypes()))
		default:
			success.WithJSONSchemaRef(g.schema(reflect.TypeOf(rt.out), replyBody))
		}
		op.AddResponse(rt.status, success)
		if _, step := rt.out.(workflows.CycleStatus); step {
			op.AddResponse(http.StatusAccepted, openapi3.NewResponse().
				WithDescription("Étape acceptée, encore en cours : statusUrl en donne l'issue / Step accepted, still running: statusUrl gives its outcome").
				WithJSONSchemaRef(g.schema(reflect.TypeOf(stepUnderWay{}), replyBody)))
		}
		for _, status := range errorStatuses {
			op.Responses.Set(strconv.Itoa(status), errorResponse)
		}
		doc.AddOperation(path, rt.method, op)
	}
	return doc, g.err
}

// workbookContent describes an Excel workbook body.
func workbookContent() openapi3.Content {
	return openapi3.NewContentWithSchema(openapi3.NewStringSchema().WithFormat("binary"), []string{xlsxType})
}

var ginParam = regexp.MustCompile(`[:*](\w+)`)

// openAPIPath turns a gin path (/cycles/:year) into an OpenAPI one (/cycles/{year}) and its parameters.
func openAPIPath(ginPath string) (string, []string) {
	var params []string
	for _, m := range ginParam.FindAllStringSubmatch(ginPath, -1) {
		params = append(params, m[1])
	}
	return ginParam.ReplaceAllString(ginPath, "{$1}"), params
}

// operationID is the method and path in camel case: POST /cycles/{year}/decisions → postCyclesYearDecisions.
func operationID(method, path string) string {
	words := strings.FieldsFunc(path, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) })
	id := strings.ToLower(method)
	for _, w := range words {
		id += upperFirst(w)
	}
	return id
}

// permissionText says who may call a route.
func permissionText(act app.Permission) string {
	switch act {
	case app.Public:
		return "Sans authentification / No authentication"
	case app.Self:
		return "Tout utilisateur connecté / Any signed-in user"
	}
	if len(app.Roles(act)) == 0 {
		return "Personne (action absente de la table des droits) / Nobody (action missing from the permission table)"
	}
	roles := make([]string, len(app.Roles(act)))
	for i, r := range app.Roles(act) {
		roles[i] = string(r)
	}
	return "Rôles / Roles: " + strings.Join(roles, ", ")
}

func upperFirst(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// enums lists the values of the string types that have a fixed set.
var enums = map[reflect.Type][]any{
	reflect.TypeFor[ptacycle.Role]():           enumOf(ptacycle.Roles...),
	reflect.TypeFor[ptacycle.Stage]():          enumOf(ptacycle.Stages...),
	reflect.TypeFor[ptacycle.ActivityStatus](): enumOf(ptacycle.Statuses...),
	reflect.TypeFor[ptacycle.UnitKind](): enumOf(ptacycle.UnitMinistry, ptacycle.UnitCommittee, ptacycle.UnitDirectorate,
		ptacycle.UnitRegionalCell, ptacycle.UnitNGO, ptacycle.UnitPartner, ptacycle.UnitOther),
	reflect.TypeFor[ptacycle.Priority]():   enumOf(ptacycle.PriorityHigh, ptacycle.PriorityMedium, ptacycle.PriorityLow),
	reflect.TypeFor[ptacycle.Outcome]():    enumOf(ptacycle.OutcomeApproved, ptacycle.OutcomeSentBack),
	reflect.TypeFor[ptacycle.Channel]():    enumOf(ptacycle.ChannelEmail, ptacycle.ChannelInApp, ptacycle.ChannelWebhook),
	reflect.TypeFor[ptacycle.PlanStatus](): enumOf(ptacycle.PlanDraft, ptacycle.PlanSubmitted, ptacycle.PlanApproved),
}

func enumOf[T ~string](values ...T) []any {
	out := make([]any, len(values))
	for i, v := range values {
		out[i] = string(v)
	}
	return out
}

var (
	timeType          = reflect.TypeFor[time.Time]()
	dateType          = reflect.TypeFor[ptacycle.Date]()
	jsonMarshalerType = reflect.TypeFor[json.Marshaler]()
	textMarshalerType = reflect.TypeFor[encoding.TextMarshaler]()
)

// schemaGen describes Go types as encoding/json writes them. Named structs and
// enums become components named after their Go type; in request bodies a
// domain type has its own variants, ActivityInput (POST) and ActivityEdit
// (PUT), holding what a client may send, as its api tags say (apischema.go).
type schemaGen struct {
	components openapi3.Schemas
	names      map[componentKey]string
	err        error
}

type componentKey struct {
	t    reflect.Type
	mode bodyMode
}

func newSchemaGen() *schemaGen {
	return &schemaGen{components: openapi3.Schemas{}, names: map[componentKey]string{}}
}

// param is the schema of a path or query parameter.
func (g *schemaGen) param(name string) *openapi3.SchemaRef {
	if v, ok := paramTypes[name]; ok {
		return g.schema(reflect.TypeOf(v), createBody)
	}
	return openapi3.NewStringSchema().NewRef()
}

// schema returns the schema of t in a body of mode m: a reference for
// components, inline otherwise.
func (g *schemaGen) schema(t reflect.Type, m bodyMode) *openapi3.SchemaRef {
	switch {
	case t == timeType:
		return openapi3.NewDateTimeSchema().NewRef()
	case t == dateType: // "YYYY-MM-DD", null for no date
		return openapi3.NewStringSchema().WithFormat("date").WithNullable().NewRef()
	case t.Kind() == reflect.Pointer:
		return g.nullable(g.schema(t.Elem(), m))
	case t.Implements(jsonMarshalerType):
		return g.anyValue() // its own JSON: anything
	case t.Implements(textMarshalerType):
		return openapi3.NewStringSchema().NewRef()
	case enums[t] != nil:
		return g.component(componentName(t), t, replyBody)
	case t.Kind() == reflect.Struct && t.Name() != "":
		name := componentName(t)
		if t.PkgPath() != reflect.TypeFor[route]().PkgPath() { // this package's types are request shapes already
			name += m.suffix()
		}
		return g.component(name, t, m)
	}
	switch t.Kind() {
	case reflect.Bool:
		return openapi3.NewBoolSchema().NewRef()
	case reflect.Int64:
		return openapi3.NewInt64Schema().NewRef()
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32:
		return openapi3.NewIntegerSchema().NewRef()
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return openapi3.NewIntegerSchema().WithMin(0).NewRef()
	case reflect.Float32, reflect.Float64:
		return openapi3.NewFloat64Schema().NewRef()
	case reflect.String:
		return openapi3.NewStringSchema().NewRef()
	case reflect.Interface:
		return g.anyValue()
	case reflect.Slice:
		if t.Elem().Kind() == reflect.Uint8 { // base64
			return openapi3.NewBytesSchema().WithNullable().NewRef()
		}
		fallthrough // nil slices are null
	case reflect.Array:
		s := openapi3.NewArraySchema()
		s.Items = g.schema(t.Elem(), m)
		s.Nullable = t.Kind() == reflect.Slice
		return s.NewRef()
	case reflect.Map:
		s := openapi3.NewObjectSchema().WithNullable()
		s.AdditionalProperties = openapi3.AdditionalProperties{Schema: g.schema(t.Elem(), m)}
		return s.NewRef()
	case reflect.Struct:
		return g.object(t, m).NewRef()
	}
	g.err = fmt.Errorf("openapi: cannot describe %s in JSON", t)
	return openapi3.NewSchema().NewRef()
}

// component registers t under name (once) and returns a reference to it.
func (g *schemaGen) component(name string, t reflect.Type, m bodyMode) *openapi3.SchemaRef {
	key := componentKey{t, m}
	if known, ok := g.names[key]; ok {
		return openapi3.NewSchemaRef("#/components/schemas/"+known, g.components[known].Value)
	}
	if _, taken := g.components[name]; taken { // same name in another package
		name = upperFirst(t.PkgPath()[strings.LastIndex(t.PkgPath(), "/")+1:]) + name
	}
	g.names[key] = name
	s := &openapi3.Schema{}
	g.components[name] = s.NewRef() // before the fields, so that recursive types end
	if values := enums[t]; values != nil {
		*s = *openapi3.NewStringSchema().WithEnum(values...)
	} else {
		*s = *g.object(t, m)
	}
	return openapi3.NewSchemaRef("#/components/schemas/"+name, s)
}

var qualifier = regexp.MustCompile(`[^\[\],*]*\.`)

// componentName is the Go type's name, readable for generics: Page[ptacycle.Activity] → PageActivity.
func componentName(t reflect.Type) string {
	name := qualifier.ReplaceAllString(t.Name(), "")
	name = strings.Map(func(r rune) rune {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			return r
		}
		return -1
	}, name)
	return upperFirst(name)
}

// nullable lets s be null. A reference cannot carry siblings in 3.0, so it
// is wrapped, with the referenced type beside nullable as linters want.
func (g *schemaGen) nullable(s *openapi3.SchemaRef) *openapi3.SchemaRef {
	if s.Ref != "" {
		return (&openapi3.Schema{Type: s.Value.Type, AllOf: openapi3.SchemaRefs{s}, Nullable: true}).NewRef()
	}
	s.Value.Nullable = true
	return s
}

// anyValue is any JSON value, null included. OpenAPI 3.0 has no type for
// that: it is any of the types, the object one nullable.
func (g *schemaGen) anyValue() *openapi3.SchemaRef {
	const name = "AnyValue"
	if _, ok := g.components[name]; !ok {
		object := openapi3.NewObjectSchema().WithNullable()
		g.components[name] = (&openapi3.Schema{
			Description: "Toute valeur JSON / Any JSON value",
			AnyOf: openapi3.SchemaRefs{openapi3.NewStringSchema().NewRef(), openapi3.NewFloat64Schema().NewRef(),
				openapi3.NewBoolSchema().NewRef(), openapi3.NewArraySchema().WithItems(&openapi3.Schema{}).NewRef(), object.NewRef()},
		}).NewRef()
	}
	return openapi3.NewSchemaRef("#/components/schemas/"+name, g.components[name].Value)
}

// object describes a struct in a body of mode m: its JSON fields and nothing else.
func (g *schemaGen) object(t reflect.Type, m bodyMode) *openapi3.Schema {
	s := openapi3.NewObjectSchema()
	s.AdditionalProperties = openapi3.AdditionalProperties{Has: new(false)}
	for _, f := range jsonFields(t) {
		if !f.sent(m) {
			continue
		}
		s.Properties[f.name] = g.schema(f.typ, m)
		if f.requiredIn(m) {
			s.Required = append(s.Required, f.name)
		}
	}
	return s
}

// jsonField is a field as encoding/json sees it.
type jsonField struct {
	name     string
	typ      reflect.Type
	required bool // written even when zero, and not promoted through a pointer
	depth    int  // of embedding
	tagged   bool
	api      string // its api tag: server, required, create or edit (apischema.go)
}

// jsonFields lists what encoding/json writes for struct t: exported fields not
// tagged "-", with embedded structs flattened; of fields sharing a name, the
// shallowest wins, then the only tagged one, else none is written.
func jsonFields(t reflect.Type) []jsonField {
	var all []jsonField
	seen := map[reflect.Type]bool{t: true}
	var walk func(t reflect.Type, depth int, viaPointer bool)
	walk = func(t reflect.Type, depth int, viaPointer bool) {
		for i := range t.NumField() {
			f := t.Field(i)
			ft := f.Type
			if f.Anonymous && ft.Kind() == reflect.Pointer {
				ft = ft.Elem()
			}
			if !f.IsExported() && !(f.Anonymous && ft.Kind() == reflect.Struct) {
				continue
			}
			tag := f.Tag.Get("json")
			if tag == "-" {
				continue
			}
			name, opts, _ := strings.Cut(tag, ",")
			if f.Anonymous && name == "" && ft.Kind() == reflect.Struct {
				if !seen[ft] {
					seen[ft] = true
					walk(ft, depth+1, viaPointer || f.Type.Kind() == reflect.Pointer)
				}
				continue
			}
			// omitempty never omits a struct; omitzero omits anything zero
			omitted := slices.ContainsFunc(strings.Split(opts, ","), func(o string) bool {
				return o == "omitzero" || o == "omitempty" && f.Type.Kind() != reflect.Struct
			})
			field := jsonField{name: name, typ: f.Type, required: !omitted && !viaPointer, depth: depth, tagged: name != "", api: f.Tag.Get("api")}
			if name == "" {
				field.name = f.Name
			}
			all = append(all, field)
		}
	}
	walk(t, 0, false)

	byName := map[string][]jsonField{}
	var names []string
	for _, f := range all {
		if byName[f.name] == nil {
			names = append(names, f.name)
		}
		byName[f.name] = append(byName[f.name], f)
	}
	var fields []jsonField
	for _, name := range names {
		rivals := byName[name]
		depth := slices.MinFunc(rivals, func(a, b jsonField) int { return a.depth - b.depth }).depth
		rivals = slices.DeleteFunc(rivals, func(f jsonField) bool { return f.depth > depth })
		if len(rivals) > 1 {
			rivals = slices.DeleteFunc(rivals, func(f jsonField) bool { return !f.tagged })
		}
		if len(rivals) == 1 {
			fields = append(fields, rivals[0])
		}
	}
	return fields
}
