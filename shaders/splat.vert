#version 330 core
// Gaussian splats as instanced quads (SplatLayer's second pass): one instance
// per splat, its index read from the sorted index buffer (far to near), its
// projection (splat_project.vert, this frame) from a texture buffer: the
// centre in pixels, the square's half side (3 standard deviations, whole
// pixels; 0 when culled), the opacity, the conic and the colour. Pixel
// coordinates have their origin at the top-left corner, y down.

layout(location = 0) in uint aIndex;

uniform samplerBuffer uProjected;  // 3 texels per splat
uniform vec2 uViewport;            // pixels
uniform int uDisplay;              // 0 colour, 1 quantity, 2 ellipsoids, 3 points
uniform float uPointRadius;        // pixels (points display)

flat out vec3 vColour;
flat out float vOpacity;
flat out vec3 vConic;
out vec2 vOffset;  // from the splat's centre to this point, pixels

void main() {
    int index = int(aIndex);
    vec4 p = texelFetch(uProjected, 3 * index);
    if (!(p.z > 0.0)) {
        gl_Position = vec4(0.0, 0.0, 2.0, 1.0);  // outside the clip volume: nothing drawn
        vColour = vec3(0.0);
        vOpacity = 0.0;
        vConic = vec3(0.0);
        vOffset = vec2(0.0);
        return;
    }
    vConic = texelFetch(uProjected, 3 * index + 1).xyz;
    vColour = texelFetch(uProjected, 3 * index + 2).rgb;
    vOpacity = p.w;
    float radius = uDisplay == 3 ? uPointRadius : p.z;
    vec2 corner = vec2((gl_VertexID & 1) == 0 ? -1.0 : 1.0, (gl_VertexID & 2) == 0 ? -1.0 : 1.0);
    vOffset = corner * radius;
    vec2 pixel = p.xy + vOffset;
    gl_Position =
        vec4(2.0 * pixel.x / uViewport.x - 1.0, 1.0 - 2.0 * pixel.y / uViewport.y, 0.0, 1.0);
}
