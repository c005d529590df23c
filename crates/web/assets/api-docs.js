// Starts the vendored Swagger UI on Accord's OpenAPI document.
window.addEventListener("DOMContentLoaded", function () {
  window.SwaggerUIBundle({ url: "/api/openapi.json", dom_id: "#swagger-ui", deepLinking: true });
});
