// Renders /openapi.json with Swagger UI. A file of its own because the page's Content-Security-Policy allows no
// inline script. validatorUrl: null keeps Swagger UI from loading a badge from its public validator: this page
// loads nothing from anywhere but this Herald.
window.addEventListener("DOMContentLoaded", () => {
  window.ui = SwaggerUIBundle({
    url: "/openapi.json",
    dom_id: "#swagger-ui",
    deepLinking: true,
    validatorUrl: null,
    presets: [SwaggerUIBundle.presets.apis],
    layout: "BaseLayout",
    defaultModelsExpandDepth: 0,
    displayRequestDuration: true,
  });
});
