#version 330 core
// Heatmap of a Grid2D: a quad covering the viewport, generated from
// gl_VertexID (no vertex buffer; draw 4 vertices as a triangle strip with an
// empty VAO bound). Each corner carries its data coordinate, so the fragment
// shader works in the grid's own units and pan/zoom is two uniforms.

uniform vec2 uCenter;      // data coordinate at the viewport centre
uniform vec2 uHalfExtent;  // data units from the centre to the right and top edges

out vec2 vData;

void main() {
    vec2 ndc = vec2((gl_VertexID & 1) == 0 ? -1.0 : 1.0, (gl_VertexID & 2) == 0 ? -1.0 : 1.0);
    vData = uCenter + ndc * uHalfExtent;
    gl_Position = vec4(ndc, 0.0, 1.0);
}
